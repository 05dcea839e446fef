"""Printable Chinese documents (PDF) built from structured content: see `content` for what a
document may hold and `render.render_pdf` for how it is printed."""
