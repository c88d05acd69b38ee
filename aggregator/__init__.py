"""aggregator: normalize, tag (language, country, campaign), deduplicate and curate stored posts."""
