"""/payments/… without a language prefix (config/urls.py): the providers'
server-to-server notifications, and the sandbox bank (development only:
404 unless PORTAL_PAYMENT_SANDBOX is on)."""

from django.urls import path

from . import sandbox, views

app_name = "payments_callbacks"

urlpatterns = [
    path("sandbox/pay/", sandbox.pay, name="sandbox_pay"),
    path("sandbox/api/", sandbox.api, name="sandbox_api"),
    # VNPay's IPN address, to register with VNPay: https://<host>/payments/vnpay/ipn/
    path("<slug:provider>/ipn/", views.ipn, name="ipn"),
]
