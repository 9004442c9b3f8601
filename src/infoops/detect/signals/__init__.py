"""Co-action signals; one module each, registered with `infoops.registry.signals`."""
