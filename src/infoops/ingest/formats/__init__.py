"""Input formats; one module each, registered with `infoops.registry.formats`."""
