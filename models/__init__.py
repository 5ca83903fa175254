"""The trained role model shipped with jdanalyzer (package data; built by `make model`)."""
