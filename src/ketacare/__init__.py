"""ketacare: a platform for clinics that treat anxiety with ketamine."""

__version__ = "0.1.0"
