{{ (cookiecutter.project_name ~ ": domain tools and agent configuration.") | quoted }}
