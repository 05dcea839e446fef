"""`jiceng gas device add|list|revoke`: the scale devices of gas stations, for set-up and scripts.

jiceng gas device add --station CODE --name NAME   prints the new key alone on standard output
jiceng gas device list [--station CODE]            one device a line, tab-separated
jiceng gas device revoke ID                        the key stops capturing at once

The operator at the console acts as the system (no user): the access rule of the pages, region
administrators and gas managers of the station's region, applies to people, not to the console.
Bad arguments exit 2 and change nothing."""

from __future__ import annotations

import argparse
import sys

EXIT_USAGE = 2


def _refused(command: str, message: str) -> int:
    print(f"jiceng gas device {command}: {message}", file=sys.stderr)
    return EXIT_USAGE


def cmd_device_add(args: argparse.Namespace) -> int:
    from jiceng.cli import _setup_django

    _setup_django()
    from django.core.exceptions import ValidationError

    from jiceng.gas.models import Station
    from jiceng.gas.services.registry import scale_device_create

    station = Station.objects.filter(code=args.station).first()
    if station is None:
        return _refused("add", f"--station: no station {args.station!r}")
    try:
        device, plain = scale_device_create(actor=None, station=station, name=args.name)
    except ValidationError as exc:
        return _refused("add", " ".join(exc.messages))
    print(f"device {device.pk} ({device.name}) of station {station.code}", file=sys.stderr)
    print("send it as the X-Device-Key header to /epcis/v2/capture", file=sys.stderr)
    print(plain)
    return 0


def cmd_device_list(args: argparse.Namespace) -> int:
    from jiceng.cli import _setup_django

    _setup_django()
    from jiceng.gas.models import ScaleDevice, Station

    devices = ScaleDevice.objects.select_related("station").order_by("station__code", "pk")
    if args.station:
        if not Station.objects.filter(code=args.station).exists():
            return _refused("list", f"--station: no station {args.station!r}")
        devices = devices.filter(station__code=args.station)
    for d in devices:
        print(
            "\t".join(
                [
                    str(d.pk),
                    d.station.code,
                    d.name,
                    f"{d.key_prefix}…",
                    d.created_at.isoformat(timespec="seconds"),
                    d.last_used_at.isoformat(timespec="seconds") if d.last_used_at else "-",
                    f"revoked {d.revoked_at.isoformat(timespec='seconds')}"
                    if d.revoked_at
                    else "active",
                ]
            )
        )
    return 0


def cmd_device_revoke(args: argparse.Namespace) -> int:
    from jiceng.cli import _setup_django

    _setup_django()
    from jiceng.gas.models import ScaleDevice
    from jiceng.gas.services.registry import scale_device_revoke

    device = ScaleDevice.objects.select_related("station").filter(pk=args.id).first()
    if device is None:
        return _refused("revoke", f"no device {args.id}")
    scale_device_revoke(actor=None, device=device)
    print(f"device {device.pk} ({device.name}) revoked", file=sys.stderr)
    return 0


def _device_id(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a device id") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"{value!r} is not a device id")
    return number


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("gas", help="gas safety: the scale devices of stations")
    gas = p.add_subparsers(dest="gas_command", metavar="WHAT", required=True)
    device = gas.add_parser("device", help="scale devices that capture with X-Device-Key")
    actions = device.add_subparsers(dest="device_command", metavar="ACTION", required=True)
    q = actions.add_parser("add", help="bind a new device to a station; prints its key once")
    q.add_argument("--station", required=True, help="the station's code")
    q.add_argument("--name", required=True, help="what the device is (e.g. 1号充装秤)")
    q.set_defaults(func=cmd_device_add)
    q = actions.add_parser("list", help="the devices (of one station)")
    q.add_argument("--station", help="only this station's devices")
    q.set_defaults(func=cmd_device_list)
    q = actions.add_parser("revoke", help="stop a device's key")
    q.add_argument("id", type=_device_id, help="the device's id (see list)")
    q.set_defaults(func=cmd_device_revoke)
