"""site_builder: render the store into a static multilingual site (Jinja2 + Babel), published atomically."""
