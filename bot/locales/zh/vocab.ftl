# Under a refused /close: resolve the ticket, which asks its owner to confirm.
card-btn-resolve-ask = ✅ 办结并请业主确认
