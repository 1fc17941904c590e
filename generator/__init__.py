"""mwsgen: generates the typed `mwskit` MWS client and its docs from the YAML specs."""

__version__ = "0.2.0"
