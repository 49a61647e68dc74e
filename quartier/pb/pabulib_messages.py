"""The engine's Pabulib errors (English, the engine has no Django) in the reader's language.

`describe(error)` gives "Line 12: the cost of project 3 must be positive (it is -5)." in the
current language; a message without a pattern here stays as the engine wrote it.
"""

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from quartier.pb.engine.pabulib import PabulibError

PATTERNS = [
    (r"not UTF-8 \(byte (?P<byte>0x[0-9a-f]{2}) at offset (?P<offset>\d+)\)",
     gettext_lazy("the file is not UTF-8 text (byte %(byte)s at offset %(offset)s); save it "
                  "as UTF-8")),
    (r"section (?P<name>\w+) is missing \(found (?P<found>\w+) first\)",
     gettext_lazy("the section %(name)s is missing (found %(found)s first)")),
    (r"section (?P<name>\w+) is missing",
     gettext_lazy("the section %(name)s is missing")),
    (r"section (?P<name>\w+) appears twice",
     gettext_lazy("the section %(name)s appears twice")),
    (r"section (?P<name>\w+) appears after VOTES",
     gettext_lazy("the section %(name)s appears after VOTES")),
    (r"section (?P<name>\w+) has no header row",
     gettext_lazy("the section %(name)s has no header row")),
    (r"expected the section name META on the first line",
     gettext_lazy("the file must start with the section name META")),
    (r"META header must be key;value", gettext_lazy("the META header must be key;value")),
    (r"META row (?P<key>.*) needs exactly 2 fields, has (?P<n>\d+)",
     gettext_lazy("the META row %(key)s needs exactly 2 fields, it has %(n)s")),
    (r"duplicate META key (?P<key>.*)", gettext_lazy("the META key %(key)s appears twice")),
    (r"META has no budget", gettext_lazy("META has no budget")),
    (r"META has no vote_type", gettext_lazy("META has no vote_type")),
    (r"unknown vote_type (?P<value>.*) \(expected one of (?P<known>.*)\)",
     gettext_lazy("unknown vote_type %(value)s (known: %(known)s)")),
    (r"budget (?P<value>.*) is not a number",
     gettext_lazy("the budget %(value)s is not a number")),
    (r"budget must be positive, is (?P<value>.*)",
     gettext_lazy("the budget must be positive, it is %(value)s")),
    (r"num_projects is (?P<value>.*) but the file has (?P<actual>\d+) projects",
     gettext_lazy("num_projects says %(value)s, but the file has %(actual)s projects")),
    (r"num_votes is (?P<value>.*) but the file has (?P<actual>\d+) votes",
     gettext_lazy("num_votes says %(value)s, but the file has %(actual)s votes")),
    (r"(?P<section>PROJECTS|VOTES) header has no points column \((?P<type>\w+) ballots\)",
     gettext_lazy("the VOTES header has no points column (needed for %(type)s ballots)")),
    (r"(?P<section>PROJECTS|VOTES) header has no (?P<column>\w+) column",
     gettext_lazy("the %(section)s header has no %(column)s column")),
    (r"(?P<section>PROJECTS|VOTES) header repeats a column",
     gettext_lazy("the %(section)s header repeats a column")),
    (r"(?P<kind>project|vote) row has (?P<n>\d+) fields, header has (?P<header>\d+)",
     gettext_lazy("the row has %(n)s fields, the header %(header)s")),
    (r"empty project_id", gettext_lazy("a project has no project_id")),
    (r"duplicate project_id (?P<id>.*) \(first on line (?P<first>\d+)\)",
     gettext_lazy("the project_id %(id)s appears twice (first on line %(first)s)")),
    (r"cost (?P<value>.*) of project (?P<id>.*) is not a number",
     gettext_lazy("the cost %(value)s of project %(id)s is not a number")),
    (r"cost of project (?P<id>.*) must be positive, is (?P<value>.*)",
     gettext_lazy("the cost of project %(id)s must be positive, it is %(value)s")),
    (r"duplicate voter_id (?P<id>.*) \(first on line (?P<first>\d+)\)",
     gettext_lazy("the voter_id %(id)s appears twice (first on line %(first)s)")),
    (r"voter (?P<voter>.*) votes for unknown project (?P<id>.*)",
     gettext_lazy("voter %(voter)s votes for the unknown project %(id)s")),
    (r"voter (?P<voter>.*) lists project (?P<id>.*) twice",
     gettext_lazy("voter %(voter)s lists project %(id)s twice")),
    (r"voter (?P<voter>.*) chooses (?P<n>\d+) projects on a choose-1 ballot",
     gettext_lazy("voter %(voter)s chooses %(n)s projects on a choose-1 ballot")),
    (r"voter (?P<voter>.*) lists (?P<n>\d+) projects but (?P<points>\d+) points",
     gettext_lazy("voter %(voter)s lists %(n)s projects but %(points)s points")),
    (r"points (?P<value>.*) of voter (?P<voter>.*) are not numbers",
     gettext_lazy("the points %(value)s of voter %(voter)s are not numbers")),
    (r"points of voter (?P<voter>.*) must not be negative",
     gettext_lazy("the points of voter %(voter)s must not be negative")),
]
_COMPILED = [(re.compile(pattern), template) for pattern, template in PATTERNS]


def reason(error: PabulibError) -> str:
    """The reason without the line, translated where a pattern matches."""
    for pattern, template in _COMPILED:
        match = pattern.fullmatch(error.reason)
        if match:
            return str(template) % match.groupdict()
    return error.reason


def describe(error: PabulibError) -> str:
    if error.line:
        return _("Line %(line)s: %(reason)s.") % {"line": error.line, "reason": reason(error)}
    return _("%(reason)s.") % {"reason": reason(error)}
