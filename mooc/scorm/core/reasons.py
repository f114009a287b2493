"""Why a package is refused: a code and its parameters, worded at the edge.

The core stays free of Flask: each code has an English template marked with `N_` for
extraction; `str()` of a refusal gives the English (command lines, course-package errors), and
the web edge passes the template through gettext with the same parameters.
"""

from __future__ import annotations

from collections.abc import Mapping


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark, translate later"
    """Marks a message for extraction; the caller translates it (this module stays pure)."""
    return message


REASONS: Mapping[str, str] = {
    # The zip.
    "path-backslash": N_("the path “%(path)s” uses a backslash or a NUL character"),
    "path-absolute": N_("the path “%(path)s” is absolute: it would leave the package"),
    "path-parent": N_("the path “%(path)s” leaves the package (..)"),
    "path-too-long": N_("the path “%(path)s” is too long"),
    "encrypted": N_("%(path)s is encrypted"),
    "symlink": N_("%(path)s is a symbolic link"),
    "zip-bomb": N_("%(path)s inflates %(ratio)s times over: a zip bomb"),
    "inflates-beyond": N_("%(path)s inflates beyond its declared size"),
    "too-many-files": N_("the package has more than %(count)s files"),
    "too-large": N_("the package unpacks to more than %(mb)s MB"),
    "duplicate": N_("%(path)s is in the package twice"),
    "no-manifest": N_("there is no imsmanifest.xml at the top of the zip"),
    "manifest-too-large": N_("imsmanifest.xml is larger than 4 MB"),
    "sco-outside": N_("the SCO “%(sco)s” launches “%(href)s”, outside the package"),
    "sco-missing": N_("the SCO “%(sco)s” launches %(path)s, which is not in the package"),
    # The manifest.
    "manifest-entities": N_("imsmanifest.xml declares entities or external references"),
    "manifest-malformed": N_("imsmanifest.xml is not well-formed XML (%(error)s)"),
    "manifest-root": N_("imsmanifest.xml has no <manifest> root element"),
    "manifest-no-sco": N_('imsmanifest.xml lists no launchable SCO (adlcp:scormtype="sco")'),
    "manifest-too-many-scos": N_("imsmanifest.xml lists more than %(count)s SCOs"),
    "manifest-duplicate": N_("imsmanifest.xml gives two items the same identifier"),
}


class Refused(ValueError):
    """A refusal with its `code` (a key of `REASONS`) and the `params` its message takes."""

    def __init__(self, code: str, **params: str | int) -> None:
        if code not in REASONS:
            raise KeyError(code)
        self.code = code
        self.params: dict[str, str | int] = params
        super().__init__(REASONS[code] % params)

    @property
    def template(self) -> str:
        """The English template, for gettext at the edge."""
        return REASONS[self.code]
