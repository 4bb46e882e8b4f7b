"""Layer 4, views: report, compare, history and versions, each choosing what to pair."""
