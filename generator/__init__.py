"""mwsgen: generates the typed `mwskit` MWS client and its docs from the YAML specs."""
