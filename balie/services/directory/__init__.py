"""The directory (the sociale kaart): editing, files, import and export, history, search."""
