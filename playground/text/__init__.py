"""User-visible text, one catalogue per page or concern, in English and 简体中文."""
