"""Starting a programme: from a template, with a preview first; saving one as a template.

`bp` holds the instance's pages (/programmes/), `template_bp` the programme's own page for
saving it as a template (/p/<slug>/save-as-template): register both."""

from tracker.programmes.routes import bp, template_bp

__all__ = ["bp", "template_bp"]
