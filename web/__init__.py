"""The faces of shomei: Litestar app, JSON API, server-rendered pages."""
