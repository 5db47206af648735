"""The monitor's pages: anonymous figures of the gemeenten of a monitor's scope."""
