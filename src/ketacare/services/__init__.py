"""Use cases: load, decide with the clinical core, persist, audit. The only layer that writes.

Every service function takes keyword-only `session=` and `actor=` (and `clock=` where time
matters), flushes but never commits, and audits every read and write of patient data.
"""
