"""Matching people into pods from their profiles.

Pure code, no database: `slots` (when people can meet, as UTC half-hour bit masks),
`objective` (what makes a pod valid and good, and its score), `optimiser` (greedy
construction, then simulated annealing; deterministic for a seed), `reasons` (a
proposal in words). The database side is `proposals` (candidates in, stored
proposals out, accepting them) and `reshuffles`.
"""
