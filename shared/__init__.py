"""Code that the three Soko services share: settings, database, errors, logging, the peer client."""
