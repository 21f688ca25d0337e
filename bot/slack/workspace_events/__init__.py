"""Events API deliveries about the workspace itself: the app uninstalled, its tokens revoked,
a user group's members or handle changed. (The Home's `app_home_opened` is the Home's own,
bot.slack.home.listeners.)"""
