"""Motions and amendments (Anträge und Änderungsanträge): issue 17."""
