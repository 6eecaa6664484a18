"""The HTTP doors: a JSON API under /api and server-rendered pages, over the same services."""
