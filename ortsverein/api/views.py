"""Core API endpoints: token login and the member's own record."""

from __future__ import annotations

from flask import g, jsonify, request
from sqlalchemy import select

from models import ApiToken, Member, utcnow

from .. import audit
from ..auth import services as auth_services
from ..auth.limits import LOGIN_SCOPE, json_account, login_limit, per_account
from ..auth.tokens import create_api_token, digest
from ..auth.totp import verify_once
from ..db import db, write_intent
from ..extensions import limiter
from ..permissions import staff_requires_2fa
from . import ApiError, bp, load_json, token_required
from .schemas import MemberSchema, TokenRequestSchema


def org_ref(org) -> dict:
    return {"id": org.id, "name": org.name, "slug": org.slug}


def member_json(member: Member) -> dict:
    return {
        "id": member.id,
        "name": member.name,
        "email": member.email,
        "membership_number": member.membership_number,
        "home_branch": org_ref(member.home_branch),
        "roles": [
            {"role": r.role.value, "organisation": org_ref(r.organisation)}
            for r in sorted(
                member.roles, key=lambda r: (r.organisation.path, r.role.value)
            )
        ],
        "two_factor": member.totp_enabled,
    }


@bp.route("/auth/token", methods=["POST"])
@limiter.limit(login_limit)
@per_account(json_account, LOGIN_SCOPE)
def create_token():
    """Log in and get an API token.
    ---
    post:
      summary: Exchange email and password for a bearer token
      tags: [auth]
      security: []
      requestBody:
        required: true
        content:
          application/json:
            schema: TokenRequestSchema
      responses:
        201:
          description: The new token; keep it secret, it is shown once.
          content:
            application/json:
              schema: TokenSchema
        401:
          description: Wrong email, password or two-factor code
          content:
            application/json:
              schema: ErrorSchema
        403:
          description: "two_factor_setup_required: the office requires a second
            factor; set it up on the profile page first"
          content:
            application/json:
              schema: ErrorSchema
        422:
          description: Invalid fields
          content:
            application/json:
              schema: ErrorSchema
        429:
          description: "rate_limited: too many attempts from this address or for
            this account (LOGIN_RATE_LIMIT)"
          content:
            application/json:
              schema: ErrorSchema
    """
    data = load_json(TokenRequestSchema())
    with write_intent():
        member = auth_services.authenticate(db.session, data["email"], data["password"])
        if member is None:
            raise ApiError(401, "invalid_credentials", "wrong email or password")
        if member.totp_enabled:
            code = (data.get("totp") or "").strip()
            if not code:
                raise ApiError(401, "totp_required", "a two-factor code is required")
            if not verify_once(member, code):
                raise ApiError(401, "invalid_totp", "the two-factor code is wrong")
        elif staff_requires_2fa(db.session, member):
            raise ApiError(
                403,
                "two_factor_setup_required",
                "your organisation requires two-factor login for your "
                "office; set it up on the profile page first",
            )
        token = create_api_token(db.session, member, data["name"] or "API")
        audit.record(
            db.session, member, "api_token.created", name=data["name"], via="api"
        )
        db.session.commit()
    response = jsonify({"token": token})
    response.status_code = 201
    return response


@bp.route("/auth/token", methods=["DELETE"])
@token_required
def revoke_token():
    """Revoke the token this request is made with.
    ---
    delete:
      summary: Revoke the current token (log out the app)
      tags: [auth]
      responses:
        204:
          description: Revoked
        401:
          description: No valid token
          content:
            application/json:
              schema: ErrorSchema
    """
    token = request.headers["Authorization"].partition(" ")[2].strip()
    # The token authenticated this request, so its row exists.
    row = db.session.scalars(
        select(ApiToken).where(ApiToken.token_hash == digest(token))
    ).one()
    row.revoked_at = utcnow()
    audit.record(db.session, g.api_member, "api_token.revoked", target=row, via="api")
    db.session.commit()
    return "", 204


@bp.route("/me")
@token_required
def me():
    """The member behind the token.
    ---
    get:
      summary: The member, home branch and roles
      tags: [members]
      responses:
        200:
          description: The member
          content:
            application/json:
              schema: MemberSchema
        401:
          description: No valid token
          content:
            application/json:
              schema: ErrorSchema
    """
    return jsonify(MemberSchema().dump(member_json(g.api_member)))
