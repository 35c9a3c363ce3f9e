"""The self-contained web map page: folium map, inlined assets, embedded basemap."""
