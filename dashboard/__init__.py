"""OGP Implementation Monitor: the composition root (factory, settings, CLI) over `domain/` and `web/`."""
