"""The App Home tab: a person's dashboard, published on `app_home_opened` and after changes."""
