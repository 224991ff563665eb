from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "congvu.cases"
    label = "cases"
    verbose_name = "Phản ánh, kiến nghị và xử lý vi phạm"
