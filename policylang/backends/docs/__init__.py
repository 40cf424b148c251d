"""Human-readable documentation of resolved policies: Markdown for review, a static HTML site for reading."""

from .site import DEFAULT_FORMATS, FORMATS, TemplateProblem, render_site

__all__ = ["DEFAULT_FORMATS", "FORMATS", "TemplateProblem", "render_site"]
