"""The pure clinical core: rules you could read aloud to a clinician.

Nothing here imports a framework or another layer of the project (a test enforces it). Every
decision returns findings (rule id, severity, a plain sentence, the source it rests on), and every
threshold is a field of a policy section with its published default and its source.
"""
