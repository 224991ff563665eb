from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "congvu.inspections"
    label = "inspections"
    verbose_name = "Kiểm tra công vụ"
