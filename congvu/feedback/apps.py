from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "congvu.feedback"
    label = "feedback"
    verbose_name = "Đánh giá của người dân"
