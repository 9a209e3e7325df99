--
-- PostgreSQL database dump (schema only)
--

SET statement_timeout = 0;
SET lock_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);

CREATE TABLE public.shops (
    id uuid NOT NULL,
    name text NOT NULL,
    currency character(3) NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL
);

CREATE TABLE public.staff (
    sub uuid NOT NULL,
    shop_id uuid NOT NULL,
    username text NOT NULL,
    display_name text NOT NULL
);

CREATE TABLE public.products (
    id uuid NOT NULL,
    shop_id uuid NOT NULL,
    sku text NOT NULL,
    barcode text,
    name text NOT NULL,
    category text NOT NULL,
    price bigint NOT NULL,
    tax_rate_bp integer NOT NULL,
    active boolean DEFAULT true NOT NULL,
    version integer DEFAULT 1 NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL
);

CREATE TABLE public.stock_movements (
    id uuid NOT NULL,
    shop_id uuid NOT NULL,
    product_id uuid NOT NULL,
    location text NOT NULL,
    delta integer NOT NULL,
    reason text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL
);

CREATE TABLE public.orders (
    id uuid NOT NULL,
    shop_id uuid NOT NULL,
    terminal_id text NOT NULL,
    receipt_no text NOT NULL,
    total bigint NOT NULL,
    created_at timestamp with time zone NOT NULL
);

ALTER TABLE ONLY public.shops ADD CONSTRAINT shops_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.staff ADD CONSTRAINT staff_pkey PRIMARY KEY (sub);
ALTER TABLE ONLY public.products ADD CONSTRAINT products_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.stock_movements ADD CONSTRAINT stock_movements_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.orders ADD CONSTRAINT orders_pkey PRIMARY KEY (id);

ALTER TABLE public.products ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.products FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON public.products USING ((shop_id = (current_setting('app.shop_id'::text))::uuid));
ALTER TABLE public.stock_movements ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.stock_movements FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON public.stock_movements USING ((shop_id = (current_setting('app.shop_id'::text))::uuid));
ALTER TABLE public.orders ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.orders FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON public.orders USING ((shop_id = (current_setting('app.shop_id'::text))::uuid));

--
-- PostgreSQL database dump complete
--
