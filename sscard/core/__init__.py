"""Pure rules and shared building blocks: documents, working days, masking, encryption."""
