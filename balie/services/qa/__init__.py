"""The vraagbaak: questions and answers, its search index, its starting content."""
