"""Use cases: load, decide with the clinical core, persist, audit. The only layer that writes.

Every service function takes keyword-only `session=` and `actor=` (and `clock=` where time
matters), flushes but never commits, and audits every read and write of patient data.
"""

# The score listeners (outcome state, booster queue) register when their module is imported:
# import them with the package so every door that records a score runs them.
from ketacare.services import care as _care  # noqa: F401
