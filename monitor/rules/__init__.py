"""The rule engine: rule packs (data) in, explainable signals and a score per listing out."""
