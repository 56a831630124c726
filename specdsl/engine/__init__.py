"""The data engine: agreement between labelers (``specc agree``) and the data set in the spec's terms
(``specc stats``). Both read exports through the same readers and views as the checker (ENGINE.md)."""
