"""Search infrastructure shared by the sociale kaart and the vraagbaak: Dutch analysis,
spelling correction, synonyms and index storage that every app node keeps up to date."""
