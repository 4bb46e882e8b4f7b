def build_report(*a, **k): raise NotImplementedError
