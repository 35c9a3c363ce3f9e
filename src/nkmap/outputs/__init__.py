"""Everything nkmap writes: tables, the web map, the static map; each write atomic."""
