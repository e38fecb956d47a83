# Under a refused /close: resolve the ticket, which asks its owner to confirm.
card-btn-resolve-ask = ✅ Resolve and ask the owner
