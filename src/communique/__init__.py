"""communique: international news in, a sourced record of diplomacy and conflict out."""

__version__ = "0.1.0"
