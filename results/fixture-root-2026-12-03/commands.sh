set -e
cd /work/main
P=.venv/bin/python
$P -m benchmarks run --measure instructions --count-processes 1 -o /work/exp/fx/a > /work/exp/fx/a.log 2>&1
$P -m benchmarks run --measure instructions --count-processes 1 --fixture-root /work/exp/fixture-root-with-a-much-longer-name-than-the-default-one-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx -o /work/exp/fx/b > /work/exp/fx/b.log 2>&1
$P -m benchmarks run --measure instructions --count-processes 1 -o /work/exp/fx/c > /work/exp/fx/c.log 2>&1
echo done > /work/exp/fx/DONE
