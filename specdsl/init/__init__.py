"""``specc init``: draft a spec (and a mapping) from what a team already has.

Configs (a Label Studio labeling config, CVAT labels JSON or a CVAT XML export's ``<meta>``) declare
classes and attribute types; exports in any format the readers know add the classes, geometries and
attribute values actually labeled. :func:`draft_spec` turns both into spec text and a mapping of the
sources' names onto identifiers (see ``docs/authoring.md``).
"""

from specdsl.init.draft import Draft, observe_export
from specdsl.init.render import InitResult, draft_spec
from specdsl.init.sources import read_config

__all__ = ["Draft", "InitResult", "draft_spec", "observe_export", "read_config"]
