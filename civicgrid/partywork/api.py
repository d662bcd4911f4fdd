from ninja import Router

router = Router(tags=["partywork"])
