"""Elections of people: offices, seats, candidacies, quotas and ballot rounds."""
