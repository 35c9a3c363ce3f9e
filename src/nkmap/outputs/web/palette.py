"""The colours of the place-kind groups, shared by the web page and the static map.

The groups themselves (which kinds belong together, in legend order) are defined once in
:data:`nkmap.model.KIND_GROUPS`; this module only says how each group looks. No imports beyond
the model, so the static map can use it without loading folium.
"""

from __future__ import annotations

from nkmap.model import KIND_GROUPS

GROUP_STYLE = {  # group -> (colour, legend label)
    "settlement": ("#dc2626", "city, town, village"),
    "region": ("#2563eb", "region, province, district"),
    "country": ("#7c3aed", "country, continent"),
    "feature": ("#059669", "natural feature, other"),
}
SEA, LAND, BORDER = "#cfe3f3", "#f5f3ee", "#a8a29e"  # the basemap's colours
COUNTRY_INK, TOWN_INK = "#6b6257", "#57534e"  # country and context-town names

assert set(GROUP_STYLE) == set(KIND_GROUPS), "every kind group needs a colour"


def groups_payload() -> list[dict[str, object]]:
    """The groups as the page reads them: name, kinds, colour and label, in legend order."""
    return [
        {"group": g, "kinds": list(kinds), "colour": GROUP_STYLE[g][0], "label": GROUP_STYLE[g][1]}
        for g, kinds in KIND_GROUPS.items()
    ]
