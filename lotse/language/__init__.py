"""Shared: the languages Lotse speaks (detection, transliteration, text normalisation) and the
texts of the custom actions in every language."""
