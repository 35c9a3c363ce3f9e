"""Every name source behind one protocol: curated gazetteer, CLDR countries, GeoNames."""
